/**
 * 附件 in the console: uploads a file to the ticket's attachment store with the session's
 * token (XHR, so the upload control can show progress) and downloads a stored one back as a
 * file — both need the bearer token, so a plain link cannot do it.
 */
import { parseAttachmentRef, ticketAttachmentPath, type StoredAttachment } from '../../../../shared/api/ticket-attachments.js';
import { resolveServerUrl } from '../../services/server-url';
import { freshAccessToken } from '../../services/session';

function failure(status: number, body: string): Error {
  let message: string | undefined;
  try {
    message = (JSON.parse(body) as { message?: string }).message;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  return new Error(message ?? (status === 413 ? '附件过大' : `上传失败（HTTP ${status}）`));
}

export async function uploadAttachment(ticketId: string, file: File, onProgress?: (percent: number) => void): Promise<StoredAttachment> {
  const base = (await resolveServerUrl()) ?? '';
  const token = await freshAccessToken();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${base}/api/tickets/${ticketId}/attachments?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('authorization', `Bearer ${token ?? ''}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText) as StoredAttachment) : reject(failure(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new Error('上传失败：无法连接服务器'));
    xhr.send(file);
  });
}

/** Whether a ref names a file this server stores (download with the token) rather than a URL elsewhere. */
export function storedAttachmentId(ref: string): string | null {
  return parseAttachmentRef(ref).id;
}

export async function downloadAttachment(ticketId: string, attachmentId: string, name: string): Promise<void> {
  const base = (await resolveServerUrl()) ?? '';
  const token = await freshAccessToken();
  const res = await fetch(`${base}${ticketAttachmentPath(ticketId, attachmentId)}`, { headers: { authorization: `Bearer ${token ?? ''}` } });
  if (!res.ok) throw failure(res.status, await res.text());
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
