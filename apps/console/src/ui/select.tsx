import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

interface SelectProps {
  name: string;
  /** The option chosen when the form appears (e.g. from the URL's filter). */
  initial: string;
  children: ComponentChildren;
}

/**
 * A form's <select> that starts on `initial` and then follows the user. Preact has no `defaultValue` for a
 * select (the option list is not there yet when it is set), so the choice is held as state.
 */
export function Select({ name, initial, children }: SelectProps) {
  const [value, setValue] = useState(initial);
  return (
    <select name={name} value={value} onChange={(event) => setValue(event.currentTarget.value)}>
      {children}
    </select>
  );
}
