/**
 * VPP's message table, as `sockclnt_create_reply` carries it: one entry per message the
 * running VPP offers, `{ index, name: "<name>_<crc without 0x>" }`. The index is the
 * `_vl_msg_id` to use on this connection; ids are assigned by VPP at start-up and differ
 * between builds and plugin sets.
 */

export interface MessageTableEntry {
  /** The `_vl_msg_id` of the message on this VPP. */
  index: number;
  /** `<name>_<crc>`, e.g. `show_version_51077d14`. */
  name: string;
}

/** Well-known ids: a client sends `sockclnt_create` as 15 and reads the reply as 16 before it has a table. */
export const SOCKCLNT_CREATE_ID = 15;
export const SOCKCLNT_CREATE_REPLY_ID = 16;

const NAME_CRC = /^(.+)_([0-9a-f]{8})$/i;

/** `show_version_51077d14` -> `{ name: 'show_version', crc: '51077d14' }`; undefined without a CRC suffix. */
export function splitNameCrc(nameWithCrc: string): { name: string; crc: string } | undefined {
  const m = NAME_CRC.exec(nameWithCrc);
  return m ? { name: m[1], crc: m[2].toLowerCase() } : undefined;
}

/** `0x51077D14` / `51077d14` -> `51077d14`. */
export function normalizeCrc(crc: string): string {
  return crc.replace(/^0x/i, '').toLowerCase().padStart(8, '0');
}

export type MessageStatus = 'available' | 'not-in-table' | 'crc-mismatch';

/** A received message table, indexed both ways. */
export class MessageTable {
  /** name (without CRC) -> id and CRC as offered. */
  private readonly byName = new Map<string, { id: number; crc: string }>();
  /** id -> name and CRC. */
  private readonly byId = new Map<number, { name: string; crc: string }>();

  constructor(readonly entries: readonly MessageTableEntry[]) {
    for (const e of entries) {
      const nc = splitNameCrc(e.name);
      if (!nc) continue;
      this.byId.set(e.index, nc);
      // A VPP with two versions of a message under one name cannot exist; keep the first.
      if (!this.byName.has(nc.name)) this.byName.set(nc.name, { id: e.index, crc: nc.crc });
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** What this table offers under `name`, whatever its CRC. */
  lookup(name: string): { id: number; crc: string } | undefined {
    return this.byName.get(name);
  }

  entry(id: number): { name: string; crc: string } | undefined {
    return this.byId.get(id);
  }

  /** Is `name` offered with exactly `crc` (`0x`-prefixed or not)? */
  status(name: string, crc: string): MessageStatus {
    const e = this.byName.get(name);
    if (!e) return 'not-in-table';
    return e.crc === normalizeCrc(crc) ? 'available' : 'crc-mismatch';
  }

  /** The id of `name` if offered with `crc`, else undefined. */
  idOf(name: string, crc: string): number | undefined {
    const e = this.byName.get(name);
    return e && e.crc === normalizeCrc(crc) ? e.id : undefined;
  }
}
