import { Controller, Get, Headers, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthUser, CurrentUser } from '@app/access';
import { ApiErrors, BEARER_SCHEME, ValidationError } from '@app/core';
import { TASK_EVENTS } from './jobs.constants';
import { TASK_STATUS_EVENT, TaskEventStreams } from './task-events/task-event-streams';
import { TaskStatusResponse } from './task-status.response';
import { TasksService } from './tasks.service';

export const TASK_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => ValidationError.fields([{ field: 'task_id', problems: ['task_id must be a task id (a UUID)'] }]),
});

const EVENTS_EXAMPLE =
  `retry: ${TASK_EVENTS.retryMs}\n\n` +
  `id: 3\nevent: ${TASK_STATUS_EVENT}\ndata: {"task_id":"7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f","state":"PROGRESS","progress":{"done":250000,"total":1000000,"percent":25},"result":null,"error":null,"created_at":"2026-11-23T10:00:00.000Z","started_at":"2026-11-23T10:00:00.120Z","finished_at":null}\n\n` +
  `: heartbeat\n\n` +
  `id: 5\nevent: ${TASK_STATUS_EVENT}\ndata: {"task_id":"7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f","state":"SUCCESS","progress":{"done":1000000,"total":1000000,"percent":100},"result":{"rows":120,"bytes":5230,"download_url":"/extracts/7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f/download"},"error":null,"created_at":"2026-11-23T10:00:00.000Z","started_at":"2026-11-23T10:00:00.120Z","finished_at":"2026-11-23T10:00:03.480Z"}\n\n`;

@ApiTags('tasks')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly streams: TaskEventStreams,
  ) {}

  @Get('task-status/:task_id')
  @ApiOperation({ summary: 'State, progress, result and timings of a background task (owner or admin)' })
  @ApiParam({ name: 'task_id', format: 'uuid' })
  @ApiOkResponse({ type: TaskStatusResponse })
  @ApiErrors(400, 401, 404)
  async status(@CurrentUser() actor: AuthUser, @Param('task_id', TASK_ID_PIPE) taskId: string): Promise<TaskStatusResponse> {
    return TaskStatusResponse.from(await this.tasks.findVisible(actor, taskId));
  }

  @Get('task-status/:task_id/events')
  @ApiOperation({
    summary: "A task's status as Server-Sent Events, live: for a progress bar without polling (owner or admin)",
    description:
      `A \`${TASK_STATUS_EVENT}\` event with the GET /task-status/{task_id} body at once, then at every change of ` +
      `state or progress (at most one every ${TASK_EVENTS.minIntervalMs} ms); the stream ends after SUCCESS or ` +
      `FAILURE. Each event's id is the task's version: an EventSource that reconnects sends it as ` +
      '`Last-Event-ID` and gets the status only if it changed since. Once that id is the final event, the ' +
      'answer is 204, which stops an EventSource reconnecting (or call `close()` on the final event). ' +
      `A \`: heartbeat\` comment every ${TASK_EVENTS.heartbeatMs / 1000} s keeps proxies from closing the stream. ` +
      'EventSource cannot send an Authorization header: use fetch with a streaming body, or an EventSource ' +
      'polyfill that sends headers.',
  })
  @ApiParam({ name: 'task_id', format: 'uuid' })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received (an EventSource sends it by itself when it reconnects)',
    schema: { type: 'string', pattern: '^[0-9]{1,10}$', example: '3' },
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: '`text/event-stream`: `status` events, heartbeat comments, the end after the final state',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: EVENTS_EXAMPLE } },
  })
  @ApiResponse({ status: 204, description: 'Last-Event-ID is already the final event: nothing more will come' })
  @ApiErrors(400, 401, 404, 503)
  async events(
    @CurrentUser() actor: AuthUser,
    @Param('task_id', TASK_ID_PIPE) taskId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stream = await this.streams.open(actor, taskId, lastEventId);
    if (!stream) return void reply.code(204).send();
    // no-transform and X-Accel-Buffering: proxies (nginx among them) must pass each event on at once.
    void reply
      .code(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      .send(stream);
  }
}
