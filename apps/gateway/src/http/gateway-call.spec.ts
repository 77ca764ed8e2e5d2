import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ClientDisconnectedError } from '@app/common';
import { ClientDisconnect } from './gateway-call';

function response(writableFinished: boolean): ServerResponse & EventEmitter {
  return Object.assign(new EventEmitter(), { writableFinished }) as unknown as ServerResponse & EventEmitter;
}

describe('ClientDisconnect', () => {
  it('aborts with ClientDisconnectedError, once, when the response closes before it finished', () => {
    const res = response(false);
    const signal = new ClientDisconnect(res);
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
    const signal = new ClientDisconnect(res);
    const listener = jest.fn();
    signal.addEventListener('abort', listener);
    res.emit('close');
    expect(signal.aborted).toBe(false);
    expect(listener).not.toHaveBeenCalled();
  });

  it('does not call a listener that was removed', () => {
    const res = response(false);
    const signal = new ClientDisconnect(res);
    const removed = jest.fn();
    const kept = jest.fn();
    signal.addEventListener('abort', removed);
    signal.addEventListener('abort', kept);
    signal.removeEventListener('abort', removed);
    res.emit('close');
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});
