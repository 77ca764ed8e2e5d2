import type { Evidence, StepResult } from './doctor-run';
import type { DoctorReport } from './doctor';

const MARK = { pass: '✓', fail: '✗', skip: '–' } as const;
const INDENT = ' '.repeat(16);

/** The checklist as a person reads it: a mark and a line per step, its evidence indented under it. */
export function renderChecklist(report: DoctorReport, heading: string): string {
  const lines = [heading, ''];
  for (const step of report.steps) {
    lines.push(
      `${MARK[step.status]} ${step.name.padEnd(12)} ${step.status === 'skip' ? 'skipped: ' : ''}${step.detail}`,
    );
    lines.push(...evidenceLines(step.evidence));
  }
  const count = (status: StepResult['status']) => report.steps.filter((step) => step.status === status).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}

/** Plain fields on one line (` · `-separated), structured ones (usage, records) each on a line of their own. */
function evidenceLines(evidence: Evidence): string[] {
  const plain: string[] = [];
  const structured: string[] = [];
  for (const [name, value] of Object.entries(evidence)) {
    if (Array.isArray(value) && value.some((item) => typeof item === 'object')) {
      value.forEach((item) => structured.push(`${INDENT}${name}: ${JSON.stringify(item)}`));
    } else if (value !== null && typeof value === 'object') {
      structured.push(`${INDENT}${name}: ${JSON.stringify(value)}`);
    } else {
      plain.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  }
  return [...(plain.length ? [`${INDENT}${plain.join(' · ')}`] : []), ...structured];
}
