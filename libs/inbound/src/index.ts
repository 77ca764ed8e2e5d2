export { SseFrame } from './sse-frame';
// Anthropic Messages inbound (POST /v1/messages, /v1/messages/count_tokens).
export type {
  CountTokensRequest,
  CountTokensResponse,
  Message as AnthropicMessage,
  MessagesErrorBody,
  MessagesRequest,
  MessagesStreamEvent,
  MessagesUsage,
} from './messages/messages.types';
export {
  parseMessagesRequest,
  parseMessagesRequestInTurns,
  parseCountTokensRequest,
} from './messages/messages-request';
export { messagesToChat, messagesToChatInTurns, type MessagesToChatResult } from './messages/messages-to-chat';
export { chatToMessage, type MessagesIds } from './messages/chat-to-message';
export { MessagesStreamEncoder } from './messages/messages-stream.encoder';
export { messagesError, messagesErrorBody, type MessagesErrorResponse } from './messages/messages-error';
export { estimateInputTokens, loadTokenCounter } from './messages/count-tokens';
// OpenAI Responses inbound (POST /v1/responses, stateless).
export type {
  OutputItem as ResponsesOutputItem,
  ResponseIdGenerator,
  ResponseObject,
  ResponsesRequest,
  ResponseStreamEvent,
  ResponseUsage,
  UnixClock,
} from './responses/responses.types';
export { parseResponsesRequest } from './responses/responses-request';
export { responsesToChat, type ResponsesAsChat } from './responses/responses-to-chat';
export { ToolNameMap, type ResponsesToolName } from './responses/tool-name-map';
export { chatToResponse } from './responses/chat-to-response';
export { ResponsesStreamEncoder } from './responses/responses-stream.encoder';
export type { ResponseOptions } from './responses/response-options';
