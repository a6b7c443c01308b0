import { ApiProperty } from '@nestjs/swagger';
import type { Task } from './entities/task.entity';
import { TASK_STATES } from './jobs.constants';

class TaskProgress {
  @ApiProperty({ example: 250000 })
  done: number;

  @ApiProperty({ example: 1000000 })
  total: number;

  @ApiProperty({ example: 25, description: '0–100, one decimal' })
  percent: number;
}

export class TaskStatusResponse {
  @ApiProperty({ example: '7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f' })
  task_id: string;

  @ApiProperty({ enum: TASK_STATES, example: 'PROGRESS' })
  state: string;

  @ApiProperty({ type: TaskProgress })
  progress: TaskProgress;

  @ApiProperty({
    nullable: true,
    example: { rows: 120, bytes: 5230, download_url: '/extracts/7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f/download' },
  })
  result: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  error: string | null;

  @ApiProperty({ example: '2026-11-23T10:00:00.000Z' })
  created_at: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T10:00:00.120Z' })
  started_at: string | null;

  @ApiProperty({ nullable: true, type: String, example: null })
  finished_at: string | null;

  static from(task: Task): TaskStatusResponse {
    const total = task.progressTotal;
    return {
      task_id: task.id,
      state: task.state,
      progress: {
        done: task.progressDone,
        total,
        percent: task.state === 'SUCCESS' ? 100 : total > 0 ? Math.floor((task.progressDone / total) * 1000) / 10 : 0,
      },
      result: task.result,
      error: task.error,
      created_at: task.createdAt.toISOString(),
      started_at: task.startedAt?.toISOString() ?? null,
      finished_at: task.finishedAt?.toISOString() ?? null,
    };
  }
}
