export { default, manifest } from './plugin';
export { servicesConfig, type ServicesConfig } from './config';
export { serviceTranslations, endpointsFor, translationKey, type TranslationValue, type TranslationPath, type NodeContext } from './model/translations';
export { categorizeEndpoints, type Endpoint, type Categorized } from './model/endpoints';
