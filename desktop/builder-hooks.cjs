// electron-builder hooks (see ../electron-builder.yml).

// Main and preload are bundled by build.mjs and the renderer by Vite, so the packaged app needs no
// node_modules at all. Resolving to false tells electron-builder that node_modules are handled
// externally; otherwise electron-builder 26 walks up to this workspace and the repository root and
// packs every desktop dependency (exceljs, recharts, react, …) into app.asar (style "Pitfalls").
exports.beforeBuild = async () => false;
