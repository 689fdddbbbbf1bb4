{
  "targets": [
    {
      "target_name": "tsbcc_native",
      "sources": ["src/native/tsbcc_native.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
