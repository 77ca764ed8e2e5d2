import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { gatewayEnvNames, loadCatalogFile, ROOT, RUNTIME_ENV_NAMES } from './gateway-env';

const OVERLAYS = join(ROOT, 'deploy', 'k8s', 'overlays');
const SECRET = 'switchyard-secrets';
/** Names that hold secrets: they must come from the Secret, never as a value in the manifests. */
const SECRET_NAMES = ['DATABASE_URL', 'REDIS_URL', 'SWITCHYARD_ADMIN_KEY', 'METRICS_TOKEN'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

/** The image's own environment (Dockerfile ENV of the last stage), which the pod inherits. */
function imageEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  const lastStage = text.slice(text.lastIndexOf('\nFROM '));
  return Object.fromEntries(
    [...lastStage.matchAll(/^ENV (.*)$/gm)]
      .flatMap((line) => [...line[1].matchAll(/(\w+)=(\S+)/g)])
      .map((m) => [m[1], m[2]]),
  );
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const kubectlMissing = kubectl.error?.message ?? (kubectl.status === 0 ? null : kubectl.stderr.split('\n')[0]);
if (kubectlMissing) console.info(`deploy/k8s not rendered: kubectl is not available here (${kubectlMissing})`);
const describeWithKubectl = kubectlMissing ? describe.skip : describe;

describeWithKubectl('deploy/k8s: every overlay renders, and matches the code', () => {
  const overlays = readdirSync(OVERLAYS);
  const known = gatewayEnvNames();

  it('has the two overlays', () => {
    expect(overlays.sort()).toEqual(['scaled', 'single']);
  });

  describe.each(overlays)('overlay %s', (overlay) => {
    const rendered = spawnSync('kubectl', ['kustomize', join(OVERLAYS, overlay)], { encoding: 'utf8' });
    const objects = rendered.status === 0 ? parseAllDocuments(rendered.stdout).map((doc) => doc.toJS()) : [];
    const find = (kind: string) => objects.filter((object) => object.kind === kind);
    const deployment = find('Deployment')[0];
    const pod = deployment?.spec.template.spec;
    const container = pod?.containers.find((c: { name: string }) => c.name === 'gateway');
    const env = (container?.env ?? []) as EnvVar[];
    const envValue = (name: string) => env.find((variable) => variable.name === name)?.value ?? imageEnv()[name];
    const catalogMap = find('ConfigMap')[0];
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'switchyard-k8s-')), 'catalog.yaml');

    it('renders with kubectl kustomize', () => {
      expect(rendered.stderr).toBe('');
      expect(rendered.status).toBe(0);
      expect(find('Deployment')).toHaveLength(1);
    });

    it('probes readiness on /readyz and liveness on /healthz, on the port the gateway listens on', () => {
      const port = container.ports.find((p: { name: string }) => p.name === 'http');
      expect(String(port.containerPort)).toBe(envValue('PORT'));
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      const service = find('Service')[0];
      expect(service.spec.ports).toEqual([{ name: 'http', port: port.containerPort, targetPort: 'http' }]);
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    });

    it("sets only variables the gateway's settings or its catalog read, secrets from the Secret", () => {
      writeFileSync(catalogFile, Object.values(catalogMap.data as Record<string, string>)[0]);
      const { envNames: catalogNames } = loadCatalogFile(catalogFile);
      const names = env.map((variable) => variable.name);
      expect(
        names.filter((name) => !known.has(name) && !RUNTIME_ENV_NAMES.has(name) && !catalogNames.has(name)),
      ).toEqual([]);
      // Every key the catalog reads is in the environment, so the gateway can start.
      expect([...catalogNames].filter((name) => !names.includes(name))).toEqual([]);
      for (const variable of env.filter((v) => SECRET_NAMES.includes(v.name) || catalogNames.has(v.name))) {
        expect(variable).toEqual({
          name: variable.name,
          valueFrom: { secretKeyRef: expect.objectContaining({ name: SECRET, key: variable.name }) },
        });
      }
      // Postgres, never the embedded database: it lives on the pod's disk and allows one process.
      expect(names).toContain('DATABASE_URL');
      expect(names).toContain('SWITCHYARD_ADMIN_KEY');
    });

    it('mounts the catalog ConfigMap where SWITCHYARD_CONFIG points', () => {
      const path = envValue('SWITCHYARD_CONFIG');
      const mount = container.volumeMounts.find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
      const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
      expect(volume.configMap.name).toBe(catalogMap.metadata.name);
      expect(Object.keys(catalogMap.data)).toContain(posix.relative(mount.mountPath, path));
    });

    it('gives shutdown room for the drain delay, the longest request and the last records', () => {
      writeFileSync(catalogFile, Object.values(catalogMap.data as Record<string, string>)[0]);
      const longestRequestMs = Math.max(...loadCatalogFile(catalogFile).catalog.models.map((m) => m.timeouts.total_ms));
      const drainMs = Number(envValue('SHUTDOWN_DRAIN_DELAY_MS'));
      // The gateway drains itself on SIGTERM; a preStop sleep would come on top of it.
      const preStopSeconds = Number(/sleep (\d+)/.exec(JSON.stringify(container.lifecycle?.preStop ?? {}))?.[1] ?? 0);
      const evidenceFlushMs = 10_000; // EVIDENCE_SHUTDOWN_FLUSH_MS's default
      expect(drainMs).toBeGreaterThanOrEqual(5_000);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        preStopSeconds + (drainMs + longestRequestMs + evidenceFlushMs) / 1000,
      );
    });

    it('runs unprivileged on a read-only root file system, writing only to its own volumes, within set resources', () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      const dataDir = envValue('SWITCHYARD_DATA_DIR');
      const writable = container.volumeMounts
        .filter((m: { readOnly?: boolean }) => !m.readOnly)
        .map((m: { name: string; mountPath: string }) => ({
          path: m.mountPath,
          emptyDir: pod.volumes.find((v: { name: string }) => v.name === m.name).emptyDir,
        }));
      expect(writable).toContainEqual({ path: dataDir, emptyDir: expect.anything() });
      for (const kind of ['requests', 'limits']) {
        expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
      }
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    if (overlay === 'single') {
      it('is one instance with no autoscaler, disruption budget or Redis', () => {
        expect(deployment.spec.replicas).toBe(1);
        expect(find('HorizontalPodAutoscaler')).toEqual([]);
        expect(find('PodDisruptionBudget')).toEqual([]);
        expect(env.map((variable) => variable.name)).not.toContain('REDIS_URL');
        expect(envValue('RATE_LIMIT_INSTANCES')).toBe('1');
      });
    } else {
      it('is N instances behind an autoscaler and a disruption budget, sharing Redis', () => {
        const [hpa] = find('HorizontalPodAutoscaler');
        expect(deployment.spec.replicas).toBeUndefined();
        expect(hpa.spec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
        });
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(envValue('RATE_LIMIT_INSTANCES')).toBe(String(hpa.spec.minReplicas));
        const [pdb] = find('PodDisruptionBudget');
        expect(pdb.spec.selector).toEqual(deployment.spec.selector);
        const redis = env.find((variable) => variable.name === 'REDIS_URL');
        expect(redis?.valueFrom?.secretKeyRef?.optional).not.toBe(true);
      });
    }
  });
});
