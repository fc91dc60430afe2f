// Channels (消息渠道): the committee connects the neighbourhood's chat groups — a WeCom
// group robot, or any JSON webhook — and chooses what each receives (published
// bulletins, urgent and escalated help requests). The server sends through a durable
// outbox; this page shows every delivery, failures first, and retries a failed one.
import { ChannelsPage } from './ChannelsPage.jsx';

export const routes = [{ path: '/channels', roles: ['committee'], page: ChannelsPage }];
export const homeLinks = [{ key: 'channels', path: '/channels', label: 'channels.link', roles: ['committee'] }];
