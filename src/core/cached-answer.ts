/** An upstream provider's answer about one number as mnpd keeps it: the answer cache's row. */
export interface CachedAnswer {
  mobile: string;
  /** The seed's fields as the provider's answer made them. */
  res: string;
  initIsp: string;
  nowIsp: string;
  /** The provider's name in the providers file. */
  provider: string;
  checkedAt: Date;
}
