/* A stand-in bcryptprimitives.dll for the Wine test prefix only: Debian's Wine 8.0 has no
 * bcryptprimitives.dll, and Rust's std (and getrandom 0.3) import ProcessPrng from it on
 * x86_64-pc-windows-gnu. Windows 10/11 ship the real DLL, so sallyport.exe is the same
 * binary users run; only the prefix gets this file (scripts/windows.sh prefix).
 *
 * ProcessPrng is documented to always return TRUE; it is implemented over RtlGenRandom
 * (advapi32's SystemFunction036), which Wine does have. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            /* Never expected; the real function cannot fail either, so stop the process
             * rather than hand back bytes that are not random. */
            ExitProcess(0xC000009A);
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
