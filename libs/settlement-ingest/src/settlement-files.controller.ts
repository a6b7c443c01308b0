import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor, UploadedMultipartFile } from '@nestjs/platform-fastify/multipart';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { rm } from 'node:fs/promises';
import { AuthUser, CurrentUser, RequireRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME, ValidationError } from '@app/core';
import { Idempotent } from '@app/idempotency';
import { JOBS, JobsService } from '@app/jobs';
import {
  ListSettlementFilesQuery,
  ScanAcceptedResponse,
  SettlementFileListResponse,
  SettlementFileResponse,
  UploadAcceptedResponse,
  UploadSettlementFileDto,
} from './dto/settlement-file.response';
import { rejectsCsv } from './rejects-csv';
import { storedUpload } from './upload-storage';
import { SettlementFilesService } from './settlement-files.service';
import { SettlementProfiles } from './settlement-profiles';

const FILE_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => ValidationError.fields([{ field: 'id', problems: ['id must be a settlement file id (a UUID)'] }]),
});

@ApiTags('settlement files')
@ApiBearerAuth(BEARER_SCHEME)
@RequireRole('operator')
@Controller('api/settlement')
export class SettlementFilesController {
  constructor(
    private readonly files: SettlementFilesService,
    private readonly profiles: SettlementProfiles,
    private readonly jobs: JobsService,
  ) {}

  @Get('files')
  @ApiOperation({ summary: 'Ingest history, newest first: name, sha256, status, row counts, timings (operator)' })
  @ApiOkResponse({ type: SettlementFileListResponse })
  @ApiErrors(400, 401, 403)
  async list(@Query() query: ListSettlementFilesQuery): Promise<SettlementFileListResponse> {
    const [files, total] = await this.files.list(query.skip, query.limit);
    return { files: files.map(SettlementFileResponse.of), total, skip: query.skip, limit: query.limit };
  }

  @Get('files/:id')
  @ApiOperation({ summary: 'One received settlement file (operator)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: SettlementFileResponse })
  @ApiErrors(400, 401, 403, 404)
  async find(@Param('id', FILE_ID_PIPE) id: string): Promise<SettlementFileResponse> {
    return SettlementFileResponse.of(await this.files.find(id));
  }

  @Get('files/:id/rejects')
  @ApiOperation({ summary: "The file's rejected rows as CSV: line, column, reason, raw line (full PANs masked), streamed" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'line,column,reason,raw',
    content: { 'text/csv': { example: 'line,column,reason,raw\n7,TRANS_DATE,TRANS_DATE: 2024-02-30 is not a real date,"D7,2024-02-30,10.00"\n' } },
  })
  @ApiErrors(400, 401, 403, 404)
  async rejects(@Param('id', FILE_ID_PIPE) id: string): Promise<StreamableFile> {
    const file = await this.files.find(id);
    return new StreamableFile(rejectsCsv(this.files.rejectsOf(file.id)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="rejects-${file.id}.csv"`,
    });
  }

  @Post('files')
  @Idempotent({ atomic: false })
  @HttpCode(HttpStatus.ACCEPTED)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({
    summary: 'Upload a settlement CSV (operator); it is loaded in the background',
    description:
      'Multipart field `file` (the CSV), optional `profile` (declared in SETTLEMENT_PROFILES). Larger than ' +
      'SETTLEMENT_UPLOAD_LIMIT answers 413. Progress through `status_url`; the outcome through /api/settlement/files/{file_id}.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary' },
        profile: { type: 'string', example: 'canonical', description: 'A profile declared in SETTLEMENT_PROFILES, or `canonical` (the default)' },
      },
    },
  })
  @ApiAcceptedResponse({ type: UploadAcceptedResponse })
  @ApiErrors(400, 401, 403, 413, 503)
  async upload(
    @CurrentUser() actor: AuthUser,
    @UploadedFile() upload: UploadedMultipartFile | undefined,
    @Body() dto: UploadSettlementFileDto,
  ): Promise<UploadAcceptedResponse> {
    if (!upload) {
      throw ValidationError.fields([{ field: 'file', problems: ['file is required: a multipart field named "file" holding the CSV'] }]);
    }
    const stored = storedUpload(upload);
    try {
      const profile = this.profiles.resolve(upload.originalname, dto.profile);
      const file = await this.files.register({
        id: stored.filename.slice(0, 36),
        name: upload.originalname,
        stagedPath: stored.path,
        source: 'upload',
        profile: profile.name,
      });
      const task = await this.files.enqueueLoad(file, actor.id, () => ({
        actor,
        action: 'settlement_file.upload',
        subjectType: 'settlement_file',
        subjectId: file.id,
        after: { name: file.name, profile: file.profile, size_bytes: file.sizeBytes },
      }));
      return { task_id: task.id, file_id: file.id, status: file.status, status_url: `/task-status/${task.id}` };
    } catch (error) {
      await rm(stored.path, { force: true });
      throw error;
    }
  }

  @Post('scan')
  @Idempotent({ atomic: false })
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Scan the inbox now (admin); every ready file is claimed and loaded in the background' })
  @ApiAcceptedResponse({ type: ScanAcceptedResponse })
  @ApiErrors(401, 403, 503)
  async scan(@CurrentUser() actor: AuthUser): Promise<ScanAcceptedResponse> {
    const task = await this.jobs.submit(
      actor.id,
      JOBS.scanSettlementInbox,
      { trigger: 'request' },
      {
        audit: (created) => ({ actor, action: 'settlement.scan', subjectType: 'task', subjectId: created.id, after: { trigger: 'request' } }),
      },
    );
    return { task_id: task.id, status_url: `/task-status/${task.id}` };
  }
}
