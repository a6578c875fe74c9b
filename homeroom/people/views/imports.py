from django.http import Http404


def import_list(request):
    raise Http404


def import_upload(request):
    raise Http404


def import_detail(request, pk):
    raise Http404
