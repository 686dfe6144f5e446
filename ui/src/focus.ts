import { tick } from "svelte";

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
