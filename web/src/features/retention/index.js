// Retention of sensitive data: the committee's setting and "purge now".
import { RetentionPage } from './RetentionPage.jsx';

export const routes = [{ path: '/retention', roles: ['committee'], page: RetentionPage }];
export const homeLinks = [{ key: 'retention', path: '/retention', label: 'retention.link', roles: ['committee'] }];
