import { isVpsError, type VpsError } from "../../provider/core/errors";

/** The VpsError a call fails with; a call that succeeds, or fails with anything else, fails the test. */
export async function vpsErrorOf(p: Promise<unknown>): Promise<VpsError> {
  try {
    await p;
  } catch (e) {
    if (isVpsError(e)) return e;
    throw e;
  }
  throw new Error("expected the call to fail with a VpsError");
}

/** The message of the error a call fails with; a call that succeeds fails the test. */
export async function failureOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a failure");
}
