import { DoctorStep, fail, pass } from '../doctor-run';

/** Step 2: `GET /models` lists the model; if not, which listed names are close. */
export const modelsStep: DoctorStep = {
  name: 'models',
  async run(run) {
    const { model, key } = run.settings;
    const response = await run.probe.request({ path: '/models', key, tag: 'models' });
    const evidence = {
      status: response.status,
      request_type: 'models.list',
      latency_ms: response.latencyMs,
      request_id: response.requestId,
    };
    const ids = modelIds(response.json);
    if (response.status !== 200 || !ids) {
      return fail(`GET /models answered ${response.status}, not a model list`, {
        ...evidence,
        error: run.probe.errorText(response.text),
      });
    }
    if (ids.includes(model))
      return pass(`${model} is listed (${ids.length} models)`, { ...evidence, models: ids.length });
    const close = closeNames(model, ids);
    return fail(
      `${model} is not listed${close.length ? `; close: ${close.join(', ')}` : ''} (${ids.length} models listed)`,
      { ...evidence, models: ids.length, close },
    );
  },
};

function modelIds(json: unknown): string[] | undefined {
  const data = (json as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.map((entry) => (entry as { id?: unknown }).id).filter((id): id is string => typeof id === 'string');
}

/** Names one contains the other (case aside), or a few edits apart: the usual typos and marketing names. */
function closeNames(wanted: string, names: string[]): string[] {
  const target = wanted.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(target, name.toLowerCase()) }))
    .filter(
      ({ name, distance }) =>
        name.toLowerCase().includes(target) ||
        target.includes(name.toLowerCase()) ||
        distance <= Math.max(2, target.length / 4),
    )
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 5)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
