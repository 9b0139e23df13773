import { ApiError, apiUrl, csrfHeaders, errorFromBody, noteError } from './client';

/**
 * A multipart upload that reports how much was sent: fetch cannot tell upload progress, XHR can.
 * Fields go before the file so the server reads them before the file's stream.
 */
export function uploadWithProgress<T>(
  path: string,
  fields: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
): { done: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', file, file.name);
    xhr.open('POST', apiUrl(path));
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
        return;
      }
      const error = errorFromBody(xhr.status, body);
      noteError(error, path);
      reject(error);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'upload failed'));
    xhr.onabort = () => reject(new ApiError(0, 'network', 'upload aborted'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
