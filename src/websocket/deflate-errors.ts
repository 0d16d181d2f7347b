/** STUB until ws-deflate is merged. */
export class DeflateTooLargeError extends RangeError {
  readonly code = 'BH_ERR_DEFLATE_TOO_LARGE';
}
