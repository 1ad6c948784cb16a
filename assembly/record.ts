// The packed length fields of a session record (R_LENS, R_PKINFO in layout.ts) are encoded and
// decoded here and nowhere else. A key entry holds copies of both fields (K_LENS, K_PKINFO), so
// the decoders take a field's value; the rec* functions read it from a record.
// All @inline: they stand for expressions the hot paths (lookup, probe) had written out, and
// compile to the same code.
import {
  LENS_ID_SHIFT,
  LENS_SESSION_MASK,
  PK_ARG_LEN_MASK,
  PK_FROM_STRING,
  PK_LEN_MASK,
  PK_STRING,
  R_KEY,
  R_LENS,
  R_PKINFO,
  recordBytes,
} from "./layout";

/** R_LENS of a record holding a session of `sessLen` bytes under a session id of `sidLen` bytes. */
@inline export function packLens(sessLen: u32, sidLen: u32): u32 {
  return sessLen | (sidLen << LENS_ID_SHIFT);
}

/** The session length in an R_LENS value. */
@inline export function lensSession(lens: u32): u32 {
  return lens & LENS_SESSION_MASK;
}

/** The session id length in an R_LENS value. */
@inline export function lensId(lens: u32): u32 {
  return lens >> LENS_ID_SHIFT;
}

/** The partial key length in an R_PKINFO value. */
@inline export function pkInfoLength(info: u32): u32 {
  return info & PK_LEN_MASK;
}

/** The partial key length of a partial-key argument (see PK_ARG_LEN_MASK). */
@inline export function argPkLength(pkArg: i32): u32 {
  return u32(pkArg) & PK_ARG_LEN_MASK;
}

/** The R_PKINFO value of a partial-key argument: its length, and whether it came from a string. */
@inline export function pkInfoOfArg(pkArg: i32): u32 {
  return argPkLength(pkArg) | (u32(pkArg) & PK_STRING ? PK_FROM_STRING : 0);
}

/** Write a record's two length fields. */
@inline export function writeLengths(rec: usize, sessLen: u32, sidLen: u32, pkInfo: u32): void {
  store<u32>(rec, packLens(sessLen, sidLen), R_LENS);
  store<u16>(rec, u16(pkInfo), R_PKINFO);
}

@inline export function recSessionLength(rec: usize): u32 {
  return lensSession(load<u32>(rec, R_LENS));
}

@inline export function recIdLength(rec: usize): u32 {
  return lensId(load<u32>(rec, R_LENS));
}

@inline export function recPartialKeyLength(rec: usize): u32 {
  return pkInfoLength(load<u16>(rec, R_PKINFO));
}

/** Bytes of the record's key: partial key and session id. */
@inline export function recKeyLength(rec: usize): u32 {
  return recPartialKeyLength(rec) + recIdLength(rec);
}

@inline export function recPartialKeyAddress(rec: usize): usize {
  return rec + R_KEY;
}

@inline export function recIdAddress(rec: usize): usize {
  return rec + R_KEY + recPartialKeyLength(rec);
}

@inline export function recSessionAddress(rec: usize): usize {
  return rec + R_KEY + recKeyLength(rec);
}

/** The record's partial key length, with PK_STRING set if it was stored under a string (for JS). */
@inline export function recPartialKeyInfo(rec: usize): u32 {
  const info = u32(load<u16>(rec, R_PKINFO));
  return pkInfoLength(info) | (info & PK_FROM_STRING ? PK_STRING : 0);
}

/** Bytes the record counts against the budget. */
@inline export function recBytes(rec: usize): u32 {
  const lens = load<u32>(rec, R_LENS);
  return recordBytes(recPartialKeyLength(rec), lensId(lens), lensSession(lens));
}
