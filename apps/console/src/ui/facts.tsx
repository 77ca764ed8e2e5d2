import type { ComponentChildren } from 'preact';

/** Label–value pairs in two aligned columns (a description list). */
export function Facts({ children, label }: { children: ComponentChildren; label?: string }) {
  return (
    <dl class="facts" aria-label={label}>
      {children}
    </dl>
  );
}

export function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
