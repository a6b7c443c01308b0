import type { MulterOptions } from '@nestjs/platform-express/multer/interfaces/multer-options.interface';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { diskStorage } from 'multer';
import { AppConfigService } from '@app/core';
import { safeName } from './settlement-ingest.service';

/**
 * Uploads stream straight to the processing folder as `<file id>__<name>` (never into memory), and
 * stop with 413 past SETTLEMENT_UPLOAD_LIMIT (multer removes the partial file).
 */
export function uploadOptions(config: AppConfigService): MulterOptions {
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
