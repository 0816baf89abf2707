/**
 * Whether the keeper moves to the release a rotation retrain wrote: only a folder that verifies
 * (files, hashes, gate verdict, policy), whose gate approved its candidate, and whose universe is
 * the vault's basket after the rotation. Anything else keeps the release in force, with the reason.
 * Pure: the caller passes how to load the folder (the CLI's verified loader).
 */
import { ConfigError } from "../../core/errors.js";
import { checkReleaseUniverse, type ReleaseManifest } from "./release.js";

export type SwitchDecision<R> =
  | { readonly switch: true; readonly release: R; readonly reason: string }
  | { readonly switch: false; readonly reason: string };

export interface SwitchInput<R> {
  readonly dir: string;
  /** Loads and verifies the folder; throws a ConfigError naming every problem. */
  readonly load: (dir: string) => R;
  readonly manifestOf: (release: R) => ReleaseManifest;
  /** The vault's basket (base asset included) once the rotation finished. */
  readonly basket: readonly string[];
}

export function decideSwitch<R>(input: SwitchInput<R>): SwitchDecision<R> {
  let release: R;
  try {
    release = input.load(input.dir);
  } catch (error) {
    if (error instanceof ConfigError) return { switch: false, reason: error.message };
    throw error;
  }
  const manifest = input.manifestOf(release);
  const { gate } = manifest;
  if (!gate.approved) {
    return {
      switch: false,
      reason: `the gate did not approve ${gate.candidate.id}: ${gate.reasons.join("; ")}`,
    };
  }
  try {
    checkReleaseUniverse(manifest, input.basket);
  } catch (error) {
    if (error instanceof ConfigError) return { switch: false, reason: error.message };
    throw error;
  }
  return { switch: true, release, reason: `the gate approved ${gate.candidate.id}: ${gate.reasons.join("; ")}` };
}
