/** Svelte action: focus the element when it appears (instead of the `autofocus` attribute). */
export function focusOnMount(node: HTMLElement): void {
  node.focus();
}
