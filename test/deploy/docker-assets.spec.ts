import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse } from 'yaml';
import { gatewayEnvNames, loadCatalogFile, ROOT, RUNTIME_ENV_NAMES } from './gateway-env';

const DOCKER_DIR = join(ROOT, 'docker');
const COMPOSE_FILE = join(DOCKER_DIR, 'docker-compose.yml');

/** The Dockerfile's instructions, continuation lines joined, comments dropped; `stage` counts FROMs. */
function dockerfile(): Array<{ stage: number; op: string; args: string }> {
  const text = readFileSync(join(DOCKER_DIR, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  let stage = -1;
  return text
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'))
    .map((line) => {
      const [, op, args] = /^\s*(\w+)\s+(.*)$/.exec(line)!;
      if (op.toUpperCase() === 'FROM') stage++;
      return { stage, op: op.toUpperCase(), args: args.trim() };
    });
}

/** Compose's `${NAME:-default}` with nothing set: what `docker compose up` uses when the shell sets nothing. */
function composeDefault(value: string): string {
  return value.replace(
    /\$\{[A-Z_][A-Z0-9_]*(?::?-([^}]*))?(?::?\?[^}]*)?\}/g,
    (_match, fallback?: string) => fallback ?? '',
  );
}

describe('docker/: the image and the compose file match the code', () => {
  const instructions = dockerfile();
  const finalStage = Math.max(...instructions.map((instruction) => instruction.stage));
  const runtime = instructions.filter((instruction) => instruction.stage === finalStage);
  const runtimeEnv = Object.fromEntries(
    runtime
      .filter((instruction) => instruction.op === 'ENV')
      .flatMap((instruction) => [...instruction.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])),
  );
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as {
    services: Record<string, any>;
  };
  const gateway = compose.services.gateway;
  const environment = gateway.environment as Record<string, string>;

  it('runs the build output as an unprivileged user, with a health check on /healthz and no curl needed', () => {
    const user = runtime.filter((instruction) => instruction.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    // Numeric, so Kubernetes' runAsNonRoot can verify it, and not root.
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const healthcheck = runtime.find((instruction) => instruction.op === 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toContain("fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz'");
    expect(healthcheck).not.toMatch(/curl|wget/);

    // `npm run build` in the build stage, and all of dist/ shipped: whatever the build adds is in the image.
    expect(instructions.some((i) => i.stage < finalStage && i.op === 'RUN' && i.args.includes('npm run build'))).toBe(
      true,
    );
    expect(runtime.map((instruction) => `${instruction.op} ${instruction.args}`)).toContain(
      'COPY --from=build /app/dist ./dist',
    );
    const nest = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8'));
    const cmd = JSON.parse(runtime.find((instruction) => instruction.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', `dist/${nest.projects.gateway.entryFile}.js`]);
    expect(runtime.find((instruction) => instruction.op === 'EXPOSE')?.args).toBe(runtimeEnv.PORT);
  });

  it('sends the build only the files the Dockerfile copies from the context', () => {
    const ignore = readFileSync(join(DOCKER_DIR, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    const included = new Set(ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1)));
    expect(ignore).toContain('*');
    const sources = instructions
      .filter((instruction) => instruction.op === 'COPY' && !instruction.args.startsWith('--from'))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    expect(sources.filter((source) => !included.has(source))).toEqual([]);
    for (const source of sources) expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
  });

  it('starts the gateway after healthy Postgres and Redis, and points it at them', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres', 'redis']);
    expect(resolve(DOCKER_DIR, gateway.build.context, gateway.build.dockerfile)).toBe(join(DOCKER_DIR, 'Dockerfile'));
    for (const store of ['postgres', 'redis']) {
      expect(compose.services[store].healthcheck.test.length).toBeGreaterThan(0);
      expect(gateway.depends_on[store]).toEqual({ condition: 'service_healthy' });
    }
    expect(gateway.healthcheck?.disable).not.toBe(true);
    expect(new URL(environment.DATABASE_URL).host).toBe('postgres:5432');
    expect(new URL(environment.REDIS_URL).host).toBe('redis:6379');
    const postgres = compose.services.postgres.environment;
    expect(new URL(environment.DATABASE_URL).username).toBe(postgres.POSTGRES_USER);
    expect(new URL(environment.DATABASE_URL).pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(gateway.ports).toEqual([`8080:${runtimeEnv.PORT}`]);
  });

  it('mounts the catalog that SWITCHYARD_CONFIG names, and it is a valid catalog', () => {
    const inContainer = composeDefault(environment.SWITCHYARD_CONFIG);
    const mount = (gateway.volumes as string[])
      .map((volume) => volume.split(':'))
      .find(([, target]) => inContainer.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    const [source, target, mode] = mount!;
    expect(mode).toBe('ro');
    const onHost = join(resolve(DOCKER_DIR, source), posix.relative(target, inContainer));
    expect(existsSync(onHost)).toBe(true);
    expect(loadCatalogFile(onHost).envNames).toEqual(new Set());
    // The image's own copy of config/ sits at the same place, so the default works without the mount too.
    const workdir = runtime.find((instruction) => instruction.op === 'WORKDIR')!.args;
    expect(runtime.map((instruction) => `${instruction.op} ${instruction.args}`)).toContain(
      `COPY config ./${posix.relative(workdir, target)}`,
    );
  });

  it("sets only environment variables the gateway's settings read", () => {
    const known = gatewayEnvNames();
    expect(known).toContain('SWITCHYARD_CONFIG');
    expect(known).toContain('DATABASE_URL');
    const configured = [...Object.keys(environment), ...Object.keys(runtimeEnv)];
    expect(configured.filter((name) => !known.has(name) && !RUNTIME_ENV_NAMES.has(name))).toEqual([]);
  });

  // `docker compose config` needs the compose plugin, not a running engine.
  const composeVersion = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const composeMissing =
    composeVersion.error?.message ?? (composeVersion.status === 0 ? null : composeVersion.stderr.split('\n')[0]);
  if (composeMissing) {
    console.info(`docker compose config skipped: docker compose is not available here (${composeMissing})`);
    it.skip(`docker compose config accepts the file (skipped: ${composeMissing})`, () => undefined);
  } else {
    it('docker compose config accepts the file', () => {
      const result = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  }
});
