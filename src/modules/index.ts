/**
 * The domain modules. Both processes load all of them: the API routes their controllers, the
 * worker runs their @OnJob handlers.
 */
export const DOMAIN_MODULES = [];
