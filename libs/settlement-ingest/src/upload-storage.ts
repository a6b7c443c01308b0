import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { MultipartOptions, UploadedMultipartFile, diskStorage } from '@nestjs/platform-fastify/multipart';
import { AppConfigService } from '@app/core';
import { safeName } from './settlement-ingest.service';

/**
 * Uploads stream straight to the processing folder as `<file id>__<name>` (never into memory), and
 * stop with 413 past SETTLEMENT_UPLOAD_LIMIT (the partial file is removed).
 */
export function uploadOptions(config: AppConfigService): MultipartOptions {
  const dir = config.get('paths').processingDir;
  return {
    storage: diskStorage({
      destination: (_req, _file, done) => {
        mkdirSync(dir, { recursive: true });
        done(null, dir);
      },
      filename: (_req, file, done) => done(null, `${randomUUID()}__${safeName(file.originalname)}`),
    }),
    limits: { files: 1, fields: 4, fieldSize: 1024, parts: 6, fileSize: config.get('http').uploadLimitBytes },
  };
}

/** Where disk storage put the upload and the name it gave it (`<file id>__<name>`); disk storage always sets both. */
export function storedUpload(upload: UploadedMultipartFile): { filename: string; path: string } {
  if (upload.filename === undefined || upload.path === undefined) throw new Error('upload was not stored on disk');
  return { filename: upload.filename, path: upload.path };
}
