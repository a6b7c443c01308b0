import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How much of a rejected line is kept (a hostile file may carry megabyte-long fields). */
export const REJECT_RAW_MAX = 2000;

/** A row of a settlement file that broke a rule: where, which column, why, and its raw text. */
@Entity({ name: 'settlement_rejects' })
export class SettlementReject {
  @PrimaryColumn({ name: 'file_id', type: 'varchar', length: 36 })
  fileId: string;

  /** Physical line where the record starts (header = 1). */
  @PrimaryColumn({ type: 'integer' })
  line: number;

  /** The column at fault, or null when the row as a whole is (field count, encoding). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  column: string | null;

  @Column({ type: 'varchar', length: 255 })
  reason: string;

  /** The record as it was in the file, a full PAN masked, cut at REJECT_RAW_MAX characters. */
  @Column({ type: 'varchar', length: REJECT_RAW_MAX })
  raw: string;
}
