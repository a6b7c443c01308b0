import { ApiProperty } from '@nestjs/swagger';

export class AdminSessionResponse {
  @ApiProperty({ example: '/admin/queues', description: 'Open it in the browser that made this request' })
  dashboard_url: string;

  @ApiProperty({ example: 900, description: 'Seconds the session lasts; sign in again after' })
  expires_in: number;

  @ApiProperty({ example: '2026-11-02T10:15:00.000Z', format: 'date-time' })
  expires_at: string;

  @ApiProperty({
    example: true,
    description: 'Whether this deployment has the dashboard: services mode (Bull on Redis) only; embedded mode runs jobs in-process',
  })
  dashboard_available: boolean;
}
