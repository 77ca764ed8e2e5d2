import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { DestinationStream } from 'pino';
import { Principal, requestContext } from '@app/common';
import { RequestLog } from './request-log';

function captured(): DestinationStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (text: string) => void lines.push(text) };
}

function closedRequest(status: number, setUp: (raw: IncomingMessage) => void = () => undefined) {
  const raw = {
    id: 'req_1',
    method: 'POST',
    url: '/v1/chat/completions?x=1',
    socket: {},
  } as unknown as IncomingMessage;
  setUp(raw);
  const response = { headersSent: true, statusCode: status } as ServerResponse;
  return [{ raw } as FastifyRequest, { raw: response } as FastifyReply] as const;
}

/** The line as pino itself writes these fields (what the hand-built line must equal, bar the time). */
function pinoLine(level: 'info' | 'error', fields: Record<string, unknown>, message: string): string {
  const out = captured();
  pino({ level: 'info' }, out)[level](fields, message);
  return out.lines[0];
}

const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

/** The line is pino's own for a request to /v1/chat/completions?x=1 that closed with `status`, time aside. */
function expectPinoLine(
  written: string,
  level: 'info' | 'error',
  status: number,
  fields: Record<string, unknown>,
): void {
  const { responseTime } = JSON.parse(written) as { responseTime: number };
  const expected = pinoLine(
    level,
    {
      req: { id: 'req_1', method: 'POST', url: '/v1/chat/completions?x=1' },
      res: { statusCode: status },
      responseTime,
      ...fields,
    },
    `POST /v1/chat/completions?x=1 ${status} ${responseTime}ms`,
  );
  expect(withoutTime(written)).toBe(withoutTime(expected));
}

describe('RequestLog', () => {
  it("writes pino's own line for a served request, byte for byte", () => {
    const out = captured();
    const [request, reply] = closedRequest(200, (raw) => {
      const context = requestContext(raw);
      context.principal = { keyId: 'key_1', projectId: 'prj_1', teamId: 'team_1' } as Principal;
      context.modelRequested = 'gpt-"quoted"\n';
      context.trace = { modelRequested: 'gpt', modelServed: 'gpt-4o', deployment: 'openai/gpt-4o', attempts: [] };
    });
    new RequestLog({ logLevel: 'info' } as never, out).responseClosed(request, reply);
    expectPinoLine(out.lines[0], 'info', 200, {
      key_id: 'key_1',
      project_id: 'prj_1',
      team_id: 'team_1',
      model: 'gpt-"quoted"\n',
      served_model: 'gpt-4o',
      deployment: 'openai/gpt-4o',
      attempts: 0,
    });
  });

  it('leaves out what a request never had, and logs a 5xx as an error', () => {
    const out = captured();
    const [request, reply] = closedRequest(503);
    new RequestLog({ logLevel: 'info' } as never, out).responseClosed(request, reply);
    expectPinoLine(out.lines[0], 'error', 503, {});
  });

  it('writes nothing below its level, nor for health probes', () => {
    const out = captured();
    new RequestLog({ logLevel: 'warn' } as never, out).responseClosed(...closedRequest(200));
    const probe = closedRequest(200, (raw) => (raw.url = '/healthz?full=1'));
    new RequestLog({ logLevel: 'info' } as never, out).responseClosed(...probe);
    expect(out.lines).toEqual([]);
  });
});
