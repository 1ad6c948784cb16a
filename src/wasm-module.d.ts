// `import mod from './x.wasm'` as workerd (and wrangler) provide it: a compiled module.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
