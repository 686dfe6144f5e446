/*
 * Reads an .rdp file with FreeRDP's own parser (libfreerdp-client2) and prints the
 * connection settings FreeRDP derives from it, one "Name=value" per line. The RDP interop
 * tests compile this against the system's FreeRDP and compare with what Sallyport meant.
 *
 * With arguments after the file it reads them as xfreerdp does (`FILE.rdp /d:ACME ...`):
 * the file first, then the switches over it.
 *
 * Exit status: 0 parsed, 2 usage, 3 FreeRDP refused the file or the arguments.
 */
#include <stdio.h>
#include <freerdp/client/cmdline.h>
#include <freerdp/client/file.h>
#include <freerdp/settings.h>

static void print_string(rdpSettings* s, const char* name, size_t id)
{
	const char* value = freerdp_settings_get_string(s, id);
	printf("%s=%s\n", name, value ? value : "");
}

int main(int argc, char** argv)
{
	if (argc < 2)
	{
		fprintf(stderr, "usage: %s FILE.rdp [XFREERDP-ARGUMENT...]\n", argv[0]);
		return 2;
	}
	rdpFile* file = freerdp_client_rdp_file_new();
	rdpSettings* settings = freerdp_settings_new(0);
	if (!file || !settings)
		return 3;
	if (argc > 2)
	{
		if (freerdp_client_settings_parse_command_line(settings, argc, argv, FALSE) < 0)
		{
			fprintf(stderr, "FreeRDP refused %s with its arguments\n", argv[1]);
			return 3;
		}
	}
	else if (!freerdp_client_parse_rdp_file(file, argv[1]) ||
	         !freerdp_client_populate_settings_from_rdp_file(file, settings))
	{
		fprintf(stderr, "FreeRDP refused %s\n", argv[1]);
		return 3;
	}
	print_string(settings, "ServerHostname", FreeRDP_ServerHostname);
	printf("ServerPort=%u\n", freerdp_settings_get_uint32(settings, FreeRDP_ServerPort));
	print_string(settings, "Username", FreeRDP_Username);
	print_string(settings, "Domain", FreeRDP_Domain);
	printf("PasswordSet=%d\n", freerdp_settings_get_string(settings, FreeRDP_Password) != NULL);
	print_string(settings, "GatewayHostname", FreeRDP_GatewayHostname);
	printf("GatewayPort=%u\n", freerdp_settings_get_uint32(settings, FreeRDP_GatewayPort));
	printf("GatewayEnabled=%d\n", freerdp_settings_get_bool(settings, FreeRDP_GatewayEnabled));
	printf("GatewayBypassLocal=%d\n", freerdp_settings_get_bool(settings, FreeRDP_GatewayBypassLocal));
	printf("GatewayUseSameCredentials=%d\n",
	       freerdp_settings_get_bool(settings, FreeRDP_GatewayUseSameCredentials));
	printf("Fullscreen=%d\n", freerdp_settings_get_bool(settings, FreeRDP_Fullscreen));
	printf("DesktopWidth=%u\n", freerdp_settings_get_uint32(settings, FreeRDP_DesktopWidth));
	printf("UseMultimon=%d\n", freerdp_settings_get_bool(settings, FreeRDP_UseMultimon));
	printf("RedirectClipboard=%d\n", freerdp_settings_get_bool(settings, FreeRDP_RedirectClipboard));
	printf("RedirectDrives=%d\n", freerdp_settings_get_bool(settings, FreeRDP_RedirectDrives));
	printf("RedirectPrinters=%d\n", freerdp_settings_get_bool(settings, FreeRDP_RedirectPrinters));
	freerdp_client_rdp_file_free(file);
	freerdp_settings_free(settings);
	return 0;
}
