"use client";
// A form's error state as every checked form shows it (issue 16 item 5): each field's message
// next to it (id `<prefix>-<field>-error`, tied to the field with aria-invalid and
// aria-describedby), the rest in one line above the buttons, and the first wrong field focused.
import * as React from "react";
import { focusFirstInvalid } from "@/lib/client/form";

export function useFormErrors<F extends string>(prefix: string) {
  const [errors, setErrors] = React.useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = React.useState<string | null>(null);
  const formRef = React.useRef<HTMLFormElement>(null);

  /** before a new check: nothing wrong yet */
  const clear = React.useCallback(() => {
    setErrors({});
    setFormError(null);
  }, []);
  /** the problems found (in the browser or by the server), the first wrong field focused */
  const show = React.useCallback((next: Partial<Record<F, string>>, form: string | null) => {
    setErrors(next);
    setFormError(form);
    focusFirstInvalid(formRef.current);
  }, []);

  const errorId = (f: F) => `${prefix}-${f.replace(/\./g, "-")}-error`;
  /** the message under a field (or another message for it, e.g. one the form works out itself) */
  const err = (f: F, message = errors[f]) =>
    message ? (
      <p id={errorId(f)} className="text-destructive text-sm">
        {message}
      </p>
    ) : null;
  /** the field's aria attributes; `hintId` keeps a hint it is described by */
  const invalid = (f: F, message = errors[f], hintId?: string) =>
    message ? { "aria-invalid": true as const, "aria-describedby": [errorId(f), hintId].filter(Boolean).join(" ") } : hintId ? { "aria-describedby": hintId } : {};

  /** a field's message goes once it is edited (the others stay until the next try) */
  const edited = React.useCallback((f: F) => setErrors((e) => (e[f] ? { ...e, [f]: undefined } : e)), []);

  return { errors, formError, formRef, clear, show, err, invalid, edited };
}
