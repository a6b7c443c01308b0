import { Module } from '@nestjs/common';

/** Placeholder: its capability lands with its own issue. */
@Module({})
export class ExtractsModule {}
