/** Public site info (GET /api/site): name for the header and sign-in page, demo flag. */
import { create } from 'zustand';
import type { SiteInfo } from '../../../shared/api/system.js';

interface SiteStore {
  site: SiteInfo | null;
  setSite(site: SiteInfo | null): void;
}

export const useSiteStore = create<SiteStore>()((set) => ({
  site: null,
  setSite: (site) => set({ site }),
}));
