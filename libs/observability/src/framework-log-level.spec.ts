import pino from 'pino';
import { Writable } from 'node:stream';
import { loggerOptions } from './request-logging';

describe('the app logger keeps Nest start-up chatter out of info', () => {
  const logged = (level: string) => {
    const lines: Array<{ level: number; msg: string }> = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as { level: number; msg: string });
        done();
      },
    });
    // As nestjs-pino builds the app's logger, and calls it with the Nest context in the first argument.
    const options = loggerOptions(level, stream);
    const logger = pino(options, options.stream);
    logger.info({ context: 'RouterExplorer' }, 'Mapped {/v1/models, GET} route');
    logger.info({ context: 'InstanceLoader' }, 'AppModule dependencies initialized');
    logger.info({ context: 'ModelCatalogService' }, 'catalog reloaded');
    logger.warn({ context: 'NestApplication' }, 'something the framework warns about');
    return lines.map((line) => [line.level, line.msg]);
  };

  it('logs route mapping and module initialisation at debug, everything else as called', () => {
    expect(logged('info')).toEqual([
      [30, 'catalog reloaded'],
      [40, 'something the framework warns about'],
    ]);
    expect(logged('debug')).toEqual([
      [20, 'Mapped {/v1/models, GET} route'],
      [20, 'AppModule dependencies initialized'],
      [30, 'catalog reloaded'],
      [40, 'something the framework warns about'],
    ]);
  });
});
