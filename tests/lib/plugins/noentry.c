/* noentry.c: a test plugin without the entry symbol (the loader refuses it). */
__attribute__((visibility("default"))) int gitops_registry_plugin_v0;
int gitops_registry_plugin_v0 = 1;
