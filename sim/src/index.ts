export * from './cnat';
