/** Whether a fact's reported status is final here: verified (and routed by this daemon) or failed. */
export function isSettled(status: string): boolean {
  return status === 'verified' || status === 'failed' || status === 'superseded';
}
