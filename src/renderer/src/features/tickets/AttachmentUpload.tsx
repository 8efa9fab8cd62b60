/**
 * The 附件 control of the progress-note and reply forms (an antd Upload bound to a form
 * field), and the attachment links the timeline shows. Files go to the ticket's store as
 * soon as they are picked; the form submits the refs of those that finished.
 */
import { App, Button, Space, Typography, Upload, type UploadFile } from 'antd';
import { ATTACHMENT_ACCEPT, attachmentMimeType, type StoredAttachment } from '../../../../shared/api/ticket-attachments.js';
import type { Attachment } from '../../../../shared/api/tickets.js';
import { downloadAttachment, storedAttachmentId, uploadAttachment } from './ticket-attachments';

/** The finished uploads of a control's file list, as the command's attachments. */
export function uploadedAttachments(files: UploadFile<StoredAttachment>[] | undefined): Attachment[] {
  return (files ?? []).filter((f) => f.status === 'done' && f.response).map((f) => f.response!);
}

export function AttachmentUpload({ ticketId, value, onChange }: { ticketId: string; value?: UploadFile<StoredAttachment>[]; onChange?: (v: UploadFile<StoredAttachment>[]) => void }) {
  const { message } = App.useApp();
  return (
    <div data-testid="attachment-upload">
    <Upload<StoredAttachment>
      multiple
      accept={ATTACHMENT_ACCEPT}
      fileList={value ?? []}
      onChange={({ fileList }) => onChange?.(fileList)}
      beforeUpload={(file) => {
        if (attachmentMimeType(file.name)) return true;
        void message.error(`不支持的附件类型：${file.name}`);
        return Upload.LIST_IGNORE;
      }}
      customRequest={({ file, onProgress, onSuccess, onError }) => {
        uploadAttachment(ticketId, file as File, (percent) => onProgress?.({ percent }))
          .then((a) => onSuccess?.(a))
          .catch((err: Error) => {
            void message.error(`${(file as File).name}：${err.message}`);
            onError?.(err);
          });
      }}
    >
      <Button>上传附件</Button>
    </Upload>
    </div>
  );
}

export function AttachmentLinks({ ticketId, attachments }: { ticketId: string; attachments: Attachment[] }) {
  const { message } = App.useApp();
  if (!attachments.length) return null;
  return (
    <Space size={[8, 0]} wrap data-testid="timeline-attachments">
      <Typography.Text type="secondary">附件：</Typography.Text>
      {attachments.map((a) => {
        const id = storedAttachmentId(a.ref);
        if (!id) return <Typography.Link key={a.ref} href={a.ref} target="_blank" rel="noreferrer">{a.name}</Typography.Link>;
        return (
          <Typography.Link
            key={a.ref}
            data-testid="attachment-link"
            onClick={() => void downloadAttachment(ticketId, id, a.name).catch((err: Error) => void message.error(`下载失败：${err.message}`))}
          >
            {a.name}{a.size !== undefined ? `（${formatSize(a.size)}）` : ''}
          </Typography.Link>
        );
      })}
    </Space>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
