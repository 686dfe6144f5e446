import { tick } from "svelte";
import { toApiError } from "./backend";

/** Svelte action: focus the element when it appears (instead of the `autofocus` attribute). */
export function focusOnMount(node: HTMLElement): void {
  node.focus();
}

/** Svelte action: focus the element when it appears, if `on`. */
export function focusWhen(node: HTMLElement, on: boolean): void {
  if (on) node.focus();
}

/** After a refused form has rendered its messages: focus (and so scroll to) the first
 *  field marked invalid inside `form`. */
export async function focusFirstInvalid(form: HTMLElement | undefined): Promise<void> {
  await tick();
  const field = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  field?.focus();
  field?.scrollIntoView?.({ block: "center" });
}

/** A refused save: core's message for each field it named, or one message for the form
 *  (when it named none). Focuses the first invalid field once the messages are shown. */
export function refusal(
  error: unknown,
  form: HTMLElement | undefined,
): { errors: Record<string, string>; failure: string } {
  const e = toApiError(error);
  focusFirstInvalid(form);
  return {
    errors: Object.fromEntries((e.fields ?? []).map((f) => [f.field, f.message])),
    failure: e.fields?.length ? "" : e.message,
  };
}
