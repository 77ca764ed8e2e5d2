import type { ExecutionContext } from '@nestjs/common';
import { defer, lastValueFrom } from 'rxjs';
import { GatewayError, requestContext } from '@app/common';
import { HandlerCompletionInterceptor } from './handler-completion.interceptor';
import { PromiseInterceptor } from './promise-interceptor';
import { RedactionInterceptor } from './redaction.interceptor';
import { Redactor } from './redactor';

const SECRET = 'sk-provider-key-0123456789abcdef';

function httpContext(raw: object): ExecutionContext {
  const request = { raw };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

/** Both forms of an interceptor, so that every expectation holds for the one Nest runs and the one /v1 runs. */
const forms: Array<
  [
    string,
    (interceptor: PromiseInterceptor, context: ExecutionContext, handle: () => Promise<unknown>) => Promise<unknown>,
  ]
> = [
  [
    'intercept (Nest routes)',
    (interceptor, context, handle) =>
      lastValueFrom(interceptor.intercept(context, { handle: () => defer(handle) }) as never, {
        defaultValue: undefined,
      }),
  ],
  ['around (the /v1 pipeline)', (interceptor, context, handle) => interceptor.around(context, handle)],
];

describe.each(forms)('global interceptors, %s', (_form, run) => {
  const redaction = new RedactionInterceptor(new Redactor({ list: () => [SECRET] }));
  const completion = new HandlerCompletionInterceptor();

  it('redaction scrubs a configured key from the error the handler throws, and passes answers through', async () => {
    const failing = async () => {
      throw new GatewayError('upstream_error', `upstream said: bad key ${SECRET}`);
    };
    const error = (await run(redaction, httpContext({}), failing).catch((thrown: unknown) => thrown)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe('upstream_error');
    expect(error.message).not.toContain(SECRET);
    await expect(run(redaction, httpContext({}), async () => 'answer')).resolves.toBe('answer');
  });

  it.each([
    ['ends', () => Promise.resolve()],
    ['fails', () => Promise.reject(new Error('relay failed'))],
  ])('handler completion: `handled` resolves only once the handler %s', async (_end, outcome) => {
    const raw = {};
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const result = run(completion, httpContext(raw), () => ended.then(outcome));
    const handled = requestContext(raw).handled;
    expect(handled).toBeInstanceOf(Promise);
    let resolved = false;
    void handled!.then(() => (resolved = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    end();
    await result.catch(() => undefined);
    await handled;
    expect(resolved).toBe(true);
  });
});
