/**
 * The person behind a mint. The portal's broker mints credentials for a person in the
 * directory; it names them in the request facts (`RequestFacts.person`), and every session
 * token minted for that request carries them (claim `dir`), so every later call made with those
 * credentials names the person in the audit trail. Role sessions minted for the portal also get
 * the person's (fitted) user name as their SourceIdentity unless one was asked for. The
 * dispatcher names the person of a call made with such credentials the same way, so a role
 * chained from them keeps the person.
 *
 * (Passed explicitly, not through AsyncLocalStorage: that would put a hook on every promise of
 * the process; see store/sql/driver.ts.)
 */
export interface MintIdentity {
  dn: string;
  stableId?: string;
  username?: string;
  /** The SourceIdentity role sessions get ([\w+=,.@-], 2–64 characters). */
  sourceIdentity?: string;
}
