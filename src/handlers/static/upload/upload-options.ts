import { InvalidServerOptionError } from '../../../server/errors.js';

/** How SimpleHTTPRequestHandler takes uploads (`StaticOptions.upload`); each field may be left out. */
export interface UploadOptions {
  /** A PUT may replace an existing file (204); without it, an existing file is 409. Default false. */
  overwrite: boolean;
  /** Missing parent directories of an upload are created inside the tree; without it, 409. Default false. */
  mkdir: boolean;
  /** Most bytes one request may write (every file of a form counted), else 413; null: no limit. Default null. */
  maxBytes: number | null;
}

/**
 * The upload options with the defaults filled in (null: uploads off). A `maxBytes` that is no count of bytes
 * throws InvalidServerOptionError here, rather than letting every upload through or refusing every one.
 */
export function resolveUploadOptions(
  upload: Partial<UploadOptions> | null | undefined,
): UploadOptions | null {
  if (upload === undefined || upload === null) return null;
  const maxBytes = upload.maxBytes ?? null;
  if (maxBytes !== null && !(Number.isSafeInteger(maxBytes) && maxBytes > 0))
    throw new InvalidServerOptionError(
      `upload.maxBytes must be a whole number of bytes > 0, not ${maxBytes}`,
    );
  return { overwrite: upload.overwrite ?? false, mkdir: upload.mkdir ?? false, maxBytes };
}
