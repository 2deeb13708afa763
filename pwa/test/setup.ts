// Node has no IndexedDB: every pwa unit test gets fake-indexeddb, which follows the spec closely.
import 'fake-indexeddb/auto';
