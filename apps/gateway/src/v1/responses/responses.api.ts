import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chatToResponse, parseResponsesRequest, ResponsesStreamEncoder, responsesToChat } from '@app/inbound';
import { EncoderSink } from '../model-call/encoder-sink';
import { ModelCallService } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import { sendJsonAnswer } from '../pipeline/json-answer';
import { SseWriter } from '../pipeline/sse-writer';
import type { V1Api } from '../pipeline/v1-api';

/**
 * `POST /v1/responses`, OpenAI's Responses API (Codex CLI, the Vercel AI SDK, LangChain), stateless: translated
 * to the canonical chat form for the model call, and the answer or stream back into a response object and its
 * events. Hosted tools no chat upstream can run are left out and named in `x-switchyard-dropped-tools`.
 */
@Injectable()
export class ResponsesApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const responses = parseResponsesRequest(request.body);
    const { chat, dropped: droppedFields, droppedTools, toolNames } = responsesToChat(responses);
    // Named like the Messages API names the tools it leaves out, for the evidence record and dropped-params.
    const dropped = [...droppedFields, ...droppedTools.map((tool) => `tool ${tool}`)];
    const droppedToolsHeader = droppedTools.length > 0 ? droppedTools.join(',') : undefined;
    if (!responses.stream) {
      const { value, headers } = await this.models.chat(call, chat, dropped);
      if (droppedToolsHeader) headers['x-switchyard-dropped-tools'] = droppedToolsHeader;
      sendJsonAnswer(reply, headers, chatToResponse(value.body, responses, toolNames));
      return;
    }
    const stream = await this.models.openChatStream(call, chat, dropped);
    reply.hijack();
    const writer = new SseWriter(reply.raw, call);
    if (droppedToolsHeader) stream.headers['x-switchyard-dropped-tools'] = droppedToolsHeader;
    writer.open(stream.headers);
    const encoder = new ResponsesStreamEncoder(responses, toolNames);
    await writer.write(encoder.start());
    await stream.pump(new EncoderSink(writer, encoder));
  }
}
