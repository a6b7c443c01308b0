import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, hasRole } from '@app/access';
import { ApiErrors, BEARER_SCHEME, NotFoundError, ValidationError } from '@app/core';
import { TaskStatusResponse } from './task-status.response';
import { TasksService } from './tasks.service';

export const TASK_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => ValidationError.fields([{ field: 'task_id', problems: ['task_id must be a task id (a UUID)'] }]),
});

@ApiTags('tasks')
@ApiBearerAuth(BEARER_SCHEME)
@Controller()
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get('task-status/:task_id')
  @ApiOperation({ summary: 'State, progress, result and timings of a background task (owner or admin)' })
  @ApiParam({ name: 'task_id', format: 'uuid' })
  @ApiOkResponse({ type: TaskStatusResponse })
  @ApiErrors(400, 401, 404)
  async status(@CurrentUser() actor: AuthUser, @Param('task_id', TASK_ID_PIPE) taskId: string): Promise<TaskStatusResponse> {
    const task = await this.tasks.find(taskId);
    if (!task || (task.ownerId !== actor.id && !hasRole(actor, 'admin'))) throw new NotFoundError('No such task');
    return TaskStatusResponse.from(task);
  }
}
