// Registry import (名册导入): the committee brings households and residents in from the
// spreadsheets it already keeps (CSV in UTF-8 or GBK, XLSX), checks them, then imports.
import { ImportPage } from './ImportPage.jsx';

export const routes = [
  { path: '/registry/import', roles: ['committee'], page: ImportPage },
];

export const homeLinks = [
  { key: 'import', path: '/registry/import', label: 'import.link', roles: ['committee'] },
];
