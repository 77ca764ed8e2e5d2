import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ClientDisconnectedError } from '@app/common';
import { clientDisconnect } from './gateway-call';

function response(writableFinished: boolean): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { writableFinished }) as unknown as ServerResponse & EventEmitter;
}

describe('clientDisconnect', () => {
  it('aborts with ClientDisconnectedError, once, when the response closes before it finished', () => {
    const res = response(false);
    const signal = clientDisconnect(res);
    const listener = jest.fn();
    signal.addEventListener('abort', listener);
    expect(signal.aborted).toBe(false);
    res.emit('close');
    res.emit('close');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(ClientDisconnectedError);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('stays quiet when the response had finished (a normal end)', () => {
    const res = response(true);
    const signal = clientDisconnect(res);
    const listener = jest.fn();
    signal.addEventListener('abort', listener);
    res.emit('close');
    expect(signal.aborted).toBe(false);
    expect(listener).not.toHaveBeenCalled();
  });
});
