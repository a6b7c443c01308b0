export * from './queue-dashboard.module';
export { ADMIN_SESSION_COOKIE, ADMIN_SESSION_TTL_SECONDS, DASHBOARD_PATH } from './admin-session';
