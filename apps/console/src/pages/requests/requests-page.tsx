import { useState } from 'preact/hooks';
import { listRequests, RequestFilter } from '../../api/admin-api';
import { INBOUND_APIS, RequestRecord, STATUS_CLASSES } from '../../api/types';
import { formatCount, formatMicroUsd, formatMs } from '../../format';
import { Link, navigate } from '../../router';
import { useSession } from '../../session/session';
import { StatusBadge } from '../../ui/badges';
import { formFields, isoToLocalInput, localInputToIso } from '../../ui/forms';
import { LoadOlder } from '../../ui/load-older';
import { usePagedList } from '../../ui/paged-list';
import { Async, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';
import { Directory, loadDirectory } from '../directory';
import { ExportButtons } from './export-button';
import { filterFromQuery, queryFromFilter } from './request-filter';
import { Select } from '../../ui/select';

const PAGE_SIZE = 50;

/** The evidence search: filters kept in the console's URL, newest records first, and their export. */
export function RequestsPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const filter = filterFromQuery(query);
  const filterKey = queryFromFilter(filter);
  const [directory, reloadDirectory] = useResource(() => loadDirectory(api), []);
  return (
    <>
      <header class="page-header">
        <h1>Requests</h1>
        <p class="muted">Every request's evidence: who called, what was served, how it was routed, what it cost.</p>
      </header>
      <Async value={directory} loading="Loading teams, projects and keys…" retry={reloadDirectory}>
        {(names) => (
          <>
            <FilterForm key={filterKey} filter={filter} directory={names} />
            <Results key={filterKey} filter={filter} directory={names} />
          </>
        )}
      </Async>
    </>
  );
}

function FilterForm({ filter, directory }: { filter: RequestFilter; directory: Directory }) {
  const [teamId, setTeamId] = useState(filter.team_id ?? '');
  const [projectId, setProjectId] = useState(filter.project_id ?? '');
  const projects = directory.projects.filter((project) => !teamId || project.team_id === teamId);
  const keys = directory.keys.filter(
    (key) =>
      (!projectId || key.project_id === projectId) &&
      (!teamId || directory.project(key.project_id)?.team_id === teamId),
  );
  const owners = [...new Set(directory.keys.map((key) => key.owner).filter((owner) => owner !== null))].sort();
  // One `status` filter, two controls: an exact status typed in wins over the class picked.
  const statusClass = STATUS_CLASSES.find((value) => value === filter.status) ?? '';
  const statusCode = statusClass ? '' : (filter.status ?? '');
  const submit = (event: Event) => {
    const { status_class: chosenClass, status_code: chosenCode, ...fields } = formFields(event);
    const chosen = {
      ...fields,
      status: chosenCode || chosenClass,
      since: localInputToIso(fields.since),
      until: localInputToIso(fields.until),
    };
    navigate(`/requests${queryFromFilter(chosen)}`);
  };
  return (
    <form class="card filters" onSubmit={submit} aria-label="Filters">
      <label>
        From
        <input name="since" type="datetime-local" defaultValue={isoToLocalInput(filter.since)} />
      </label>
      <label>
        Until
        <input name="until" type="datetime-local" defaultValue={isoToLocalInput(filter.until)} />
      </label>
      <label>
        Team
        <select name="team_id" value={teamId} onChange={(event) => setTeamId(event.currentTarget.value)}>
          <option value="">Any</option>
          {directory.teams.map((team) => (
            <option key={team.id} value={team.id}>
              {team.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Project
        <select name="project_id" value={projectId} onChange={(event) => setProjectId(event.currentTarget.value)}>
          <option value="">Any</option>
          {projects.map((project) => (
            <option key={project.id} value={project.id}>
              {project.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Key
        <Select name="key_id" initial={filter.key_id ?? ''}>
          <option value="">Any</option>
          {keys.map((key) => (
            <option key={key.id} value={key.id}>
              {key.name} ({key.masked_key})
            </option>
          ))}
        </Select>
      </label>
      <label>
        Owner
        <input name="owner" list="key-owners" placeholder="e.g. alice@example.com" defaultValue={filter.owner ?? ''} />
        <datalist id="key-owners">
          {owners.map((owner) => (
            <option key={owner} value={owner} />
          ))}
        </datalist>
      </label>
      <label>
        Model (requested or served)
        <input name="model" defaultValue={filter.model ?? ''} />
      </label>
      <label>
        API
        <Select name="api" initial={filter.api ?? ''}>
          <option value="">Any</option>
          {INBOUND_APIS.map((api) => (
            <option key={api} value={api}>
              {api}
            </option>
          ))}
        </Select>
      </label>
      <label>
        Status class
        <Select name="status_class" initial={statusClass}>
          <option value="">Any</option>
          {STATUS_CLASSES.map((value) => (
            <option key={value} value={value}>
              {value} {STATUS_CLASS_NAMES[value]}
            </option>
          ))}
        </Select>
      </label>
      <label>
        Exact status
        <input name="status_code" type="number" min="100" max="599" placeholder="e.g. 429" defaultValue={statusCode} />
      </label>
      <label>
        Fallback
        <Select name="fallback" initial={filter.fallback ?? ''}>
          <option value="">Any</option>
          <option value="true">Fallback used</option>
          <option value="false">No fallback</option>
        </Select>
      </label>
      <label>
        Error code
        <input name="error_code" placeholder="e.g. upstream_timeout" defaultValue={filter.error_code ?? ''} />
      </label>
      <label>
        Request id
        <input name="request_id" defaultValue={filter.request_id ?? ''} />
      </label>
      <div class="actions">
        <button type="button" class="button" onClick={() => navigate('/requests')}>
          Clear
        </button>
        <button type="submit" class="button primary">
          Search
        </button>
      </div>
    </form>
  );
}

const STATUS_CLASS_NAMES: Record<(typeof STATUS_CLASSES)[number], string> = {
  '2xx': 'success',
  '3xx': 'redirect',
  '4xx': 'client error',
  '5xx': 'server error',
};

function Results({ filter, directory }: { filter: RequestFilter; directory: Directory }) {
  const { api } = useSession();
  const list = usePagedList((cursor: string | null) => listRequests(api, filter, PAGE_SIZE, cursor));
  return (
    <section class="card" aria-label="Results">
      <div class="section-header">
        <h2>Results</h2>
        <div class="actions">
          <button type="button" class="button" onClick={list.reload}>
            Refresh
          </button>
          <ExportButtons filter={filter} />
        </div>
      </div>
      <Async value={list.first} loading="Searching request records…" retry={list.reload}>
        {() =>
          list.items.length === 0 ? (
            <Empty title="No request matches these filters.">Widen the time range or clear a filter.</Empty>
          ) : (
            <>
              <RecordsTable records={list.items} directory={directory} />
              <LoadOlder list={list} label="Load older requests" />
            </>
          )
        }
      </Async>
    </section>
  );
}

function RecordsTable({ records, directory }: { records: RequestRecord[]; directory: Directory }) {
  return (
    <table class="table" data-testid="requests">
      <thead>
        <tr>
          <th>Time</th>
          <th>Status</th>
          <th>Model</th>
          <th>Key</th>
          <th class="number">Latency</th>
          <th class="number">Tokens</th>
          <th class="number">Cost</th>
        </tr>
      </thead>
      <tbody>
        {records.map((record) => (
          <tr key={record.id} data-request-id={record.request_id}>
            <td>
              <Link to={`/requests/${encodeURIComponent(record.request_id)}`}>
                <Time iso={record.created_at} />
              </Link>
            </td>
            <td>
              <StatusBadge status={record.status} />{' '}
              {record.error_code && <span class="muted">{record.error_code}</span>}
            </td>
            <td>
              <ModelCell record={record} />
            </td>
            <td>
              {directory.key(record.key_id)?.name ?? ''} <code class="muted">{record.masked_key ?? '—'}</code>
            </td>
            <td class="number">{formatMs(record.latency_ms)}</td>
            <td class="number">
              {record.prompt_tokens === null
                ? '—'
                : formatCount((record.prompt_tokens ?? 0) + (record.completion_tokens ?? 0))}
            </td>
            <td class="number">{formatMicroUsd(record.cost_micro_usd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModelCell({ record }: { record: RequestRecord }) {
  const requested = record.model_requested ?? '—';
  if (!record.model_served || record.model_served === record.model_requested) return <code>{requested}</code>;
  return (
    <span>
      <code>{requested}</code> → <code>{record.model_served}</code>{' '}
      {record.fallback_reason && <span class="badge fallback">fallback: {record.fallback_reason}</span>}
    </span>
  );
}
